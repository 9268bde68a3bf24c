from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The query string of the current page with `page` set to `number`, its other parameters (a search, a
    filter) kept: the links of parcours/pagination.html."""
    params = context["request"].GET.copy()
    params["page"] = number
    return params.urlencode()
