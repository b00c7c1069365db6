/**
 * The settings of the runners, in one table: {@link dev.orderservice.settings.Settings} lists every
 * setting of {@code order-server} and {@code order-cli} once, each a {@link
 * dev.orderservice.settings.Setting} with its environment variables, flag, default, check and help
 * text.
 *
 * <p>A runner reads them through picocli ({@link dev.orderservice.settings.SettingOptions}): it
 * adds an option per setting to its command, under the setting's flag or a spelling of its own;
 * installs the one environment default provider, so that a flag wins over its variable, a variable
 * over the default, and a blank variable counts as unset; and after parsing reads each value
 * through {@link dev.orderservice.settings.SettingValues}, which checks it. A value that a setting
 * does not take is an {@link dev.orderservice.settings.InvalidSettingException} with one line,
 * {@code invalid VAR (--flag) "value": why}; a secret value (a password, a token) is never
 * repeated.
 *
 * <p>Only the runners read settings; the libraries are handed their values.
 */
package dev.orderservice.settings;
