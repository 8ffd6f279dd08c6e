"""SQL for people's data: export for /mydata, erasure for /forgetme, retention."""
