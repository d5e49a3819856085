"""Callbacks for Model.fit: EarlyStopping, ModelCheckpoint, LearningRateScheduler, TensorBoard (plus the History
that fit returns and the progress bar it shows)."""
from .callback import Callback, History
from .early_stopping import EarlyStopping
from .lr_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .progress import ProgressBar
from .tensorboard import TensorBoard

__all__ = ["Callback", "EarlyStopping", "History", "LearningRateScheduler", "ModelCheckpoint", "ProgressBar",
           "TensorBoard"]
