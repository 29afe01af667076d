"""The store: all SQL lives in this package. Open it with `qos.store.core.open_store`."""
