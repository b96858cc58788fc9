"""Formula functions, one module per family; ``registry`` gathers them."""
