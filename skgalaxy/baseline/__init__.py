"""skgalaxy.baseline."""
