from . import test_chat_lead
from . import test_chatbot_lead
