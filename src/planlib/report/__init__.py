"""Report layer: words, house style, figures, narrative and the briefing. Imports data and analysis."""
