"""Which model serves customers, and promoting another one (or rolling back to an earlier one) with
no customer turn failed or lost: a blue/green switch between Rasa servers sharing one tracker store."""
