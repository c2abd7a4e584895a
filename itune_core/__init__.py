"""The Intention-Tuning core: intentions, edits, model loading and revising.

Free of Gradio, SQL, environment variables and file paths of its own: callers (app.py,
training/) choose devices, dtypes, paths and databases and hand them in.
"""
