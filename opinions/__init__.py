"""社情民意信息: public-opinion reports members write and the council tree passes upward."""
