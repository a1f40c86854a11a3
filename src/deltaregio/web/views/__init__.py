"""Web views, one module per part of the site. Each view is thin: it checks who may use it (see
deltaregio.web.access), calls the domain selectors and renders a template."""
