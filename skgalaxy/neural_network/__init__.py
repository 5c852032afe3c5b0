"""skgalaxy.neural_network."""
