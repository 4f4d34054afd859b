"""The pieces every page is made of: the frame (shell), the filter panel, cards, tables, the
export menus and the one renderer of a page's content (render)."""
