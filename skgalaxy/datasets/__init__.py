"""skgalaxy.datasets."""
