"""Multi-step workflows over the core: onboard and offboard, resumable through recorded state."""
