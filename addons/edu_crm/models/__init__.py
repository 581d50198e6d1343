# records (people, programmes, intakes, enrolments, admissions)
# documents
# tuition
