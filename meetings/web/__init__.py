"""Web plumbing shared by every feature: access checks, guards, headers, error pages, templates."""
