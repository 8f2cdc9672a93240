"""Built-in plugins: the core features, written on the same hooks as any third-party plugin."""
