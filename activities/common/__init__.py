"""What the three parts of ``activities`` share: photo uploads (``photos``), form widgets
(``forms``), the month filter of the lists (``filters``) and the tallies' reading by
period (``tallies``). It imports none of them."""
