-- Addresses take BigCommerce's own country table (issue 13, BEHAVIOR.md
-- "Addresses"): the five countries it spells otherwise than the ISO list
-- that was used before get its spelling, so a stored address reads as
-- BigCommerce returns it. The codes are the same. Countries BigCommerce
-- lacks are kept as stored; an update that sends them is refused.
UPDATE customer_addresses SET country = CASE country
		WHEN 'Côte d''Ivoire' THEN 'Cote d''Ivoire'
		WHEN 'Heard Island and McDonald Islands' THEN 'Heard Island and Mcdonald Islands'
		WHEN 'Libyan Arab Jamahiriya' THEN 'Libya'
		WHEN 'Macedonia' THEN 'Macedonia, the Former Yugoslav Republic of'
		WHEN 'Réunion' THEN 'Reunion'
	END
	WHERE country IN ('Côte d''Ivoire', 'Heard Island and McDonald Islands', 'Libyan Arab Jamahiriya', 'Macedonia', 'Réunion');
