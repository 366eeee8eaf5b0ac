"""Cola factory machine analytics: the local command line (`cola`)."""
