"""People's data: /mydata, /forgetme and retention."""
