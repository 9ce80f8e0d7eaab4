"""Reading results against the world: post-event review, observed logs, findings, replay and sensitivity."""
