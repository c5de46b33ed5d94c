-- Rasa's conversations live in their own database next to the product's.
CREATE DATABASE tracker OWNER helpdesk;
