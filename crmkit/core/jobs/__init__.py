"""Background jobs: the app's job queue and `crmkit worker`."""
