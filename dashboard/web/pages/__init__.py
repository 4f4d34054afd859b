"""The pages: each its layout, its `PAGE` declaration and its `build(search)`."""
