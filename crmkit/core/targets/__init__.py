"""Monthly sales targets per employee and department, and the plan-and-fact report."""
