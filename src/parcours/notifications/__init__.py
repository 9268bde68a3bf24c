"""What the daily pass finds due reaches the right person by itself (issue 10): an in-app inbox per user and
an e-mail digest that carries no identity."""
