from . import edu_tuition_instalment
