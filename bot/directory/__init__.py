"""The community directory of what people and groups can offer (/offer, /directory, /gaps)."""
