"""The pages' messages, one module per area; ``hotline.web.i18n`` merges them into one catalog."""
