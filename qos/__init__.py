"""QoS Checks domain and storage. Nothing in this package imports Qt."""
