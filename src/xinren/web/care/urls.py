"""The customer's care tickets, mounted at /care/ (the console's pages are in the merchant and operator routes)."""

from django.urls import path

from . import customer

app_name = "care"

urlpatterns = [
    path("tickets/", customer.ticket_list, name="ticket_list"),
    path("tickets/<int:ticket_id>/", customer.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/answer/", customer.ticket_answer, name="ticket_answer"),
    path("tickets/<int:ticket_id>/rating/", customer.ticket_rate, name="ticket_rate"),
]
