"""What the three parts of ``activities`` share: photo uploads (``photos``), form widgets
(``forms``) and the month filter of the lists (``filters``). It imports none of them."""
