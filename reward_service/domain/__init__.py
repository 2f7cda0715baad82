"""Pure domain of the reward service: prize templates and exact prize splits, free of any I/O."""
