from . import test_chat_lead
from . import test_chatbot_lead
from . import test_demo_chat
