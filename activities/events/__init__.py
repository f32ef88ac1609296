"""What platforms, committees and members do together: activities (kinds, series, sign-up
and attendance, photos) and consultation sessions (协商议事) with the problems they raised
and followed until solved."""
