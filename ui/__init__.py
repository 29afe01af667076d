"""The Qt user interface. Everything here may import PySide6; qos/ never does."""
