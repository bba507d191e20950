"""Pieces every section of the customers API uses."""


def option_label(option) -> str:
    return option.display_label if option is not None else ""


def body_or_query(request, name: str):
    """A value from the JSON body or, for clients that cannot send a DELETE body, the query."""
    if hasattr(request.data, "get") and request.data.get(name) is not None:
        return request.data.get(name)
    return request.query_params.get(name)
