"""When matches go out: delivery modes, quiet hours, caps (the policy of a target)."""
