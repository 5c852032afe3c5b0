"""skgalaxy.metrics."""
