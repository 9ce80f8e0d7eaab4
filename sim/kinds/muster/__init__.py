"""One-hour mustering: an alert goes out and responders travel to assembly points."""
