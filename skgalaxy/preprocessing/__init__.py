"""skgalaxy.preprocessing."""
