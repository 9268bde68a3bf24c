"""Workshops of an association: series on a topic, their sessions, the people enrolled and who attended."""
