"""The application's services: what a writer and an admin can do, with the access policy
checked inside each action, and no Gradio (the UI and the HTTP API in ``ui/`` call them).

- ``services.studio.Studio``: revise, review, history, for writers.
- ``services.access.Access``: who may do what (local mode or logged-in users).
- ``services.errors``: what the services refuse.
- ``services.openmp``: the OpenMP thread policy the app runs under (set on import).
"""
