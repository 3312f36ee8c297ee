"emoxnet: a facial expression recognition workspace: SynthFACS and real dataset loaders, the EmoXNet ensemble, EmoXNetLite distillation, continual and few-shot learning, multi-task networks and video analysis, Grad-CAM, a zoo of real-trained models, and a Gradio demo (`emoxnet --help`)."
__version__ = "0.1.0"
