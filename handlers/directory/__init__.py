"""The directory in chat: /offer, /myassets, /directory, /gaps, /import and /export assets."""
