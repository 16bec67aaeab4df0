-- The products check_inventory reads when INVENTORY_SOURCE=mysql.
-- Ids and names compare case- and width-insensitively (utf8mb4_unicode_ci: 'ＬＡＴＴＥ' = 'latte'),
-- so a lookup finds rows written by hand as well as by `npm run seed`.
CREATE TABLE products (
  id VARCHAR(64) NOT NULL,
  name_en VARCHAR(200) NOT NULL,
  name_zh_tw VARCHAR(200) NULL,
  stock INT NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY products_name_en (name_en),
  KEY products_name_zh_tw (name_zh_tw)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
