"""Assembly and running: the Application, the CLI, the update inbox, persistence, the demo."""
