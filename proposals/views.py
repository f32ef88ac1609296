"""Views of the proposals app."""
