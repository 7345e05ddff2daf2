"""The read API: parameters, views and the query service behind the api handler."""
