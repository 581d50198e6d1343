# records
# documents
# tuition
