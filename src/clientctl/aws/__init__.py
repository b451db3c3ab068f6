"""Every AWS call clientctl makes: the target (session.py), and one module per service job (backend, S3 audit and destroy, locks, state, DNS, cost)."""
