"""SQL for help requests, their alerts and the messages relayed about them."""
